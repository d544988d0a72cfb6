// Labels one report with radlabel-server at argv[1] and prints each label's decision.
#include <iostream>

#include "radlabel/client.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: label_one HOST:PORT\n";
    return 2;
  }
  auto client = radlabel::Client::Connect(argv[1], radlabel::ClientOptions());
  if (!client.ok()) {
    std::cerr << client.status() << "\n";
    return 1;
  }
  radlabel::v1::Report report;
  report.set_id("r1");
  report.set_text("FINDINGS: Acute infarct in the left MCA territory, with restricted diffusion.");
  auto results = (*client)->Label({report});
  if (!results.ok()) {
    std::cerr << results.status() << "\n";
    return 1;
  }
  for (const auto& label : results->at(0).labels()) {
    std::cout << label.name() << "=" << label.decision() << "\n";
  }
  return 0;
}
