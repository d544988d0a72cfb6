// libFuzzer target: the CSV reader of hospital exports on arbitrary bytes. It must end every
// input with records or an error naming a line, never crash or loop.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "cli/csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  radlabel::CsvReader reader(in);
  std::vector<std::string> fields;
  for (size_t records = 0; records <= size; ++records) {  // each record consumes input
    auto more = reader.Next(&fields);
    if (!more.ok() || !*more) return 0;
  }
  __builtin_trap();  // more records than bytes: the reader does not advance
}
