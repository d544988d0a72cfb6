#include "model/allocator_tuning.h"

#include <malloc.h>

namespace radlabel {

void KeepLargeAllocationsInHeap() {
  // Largest values glibc accepts: blocks up to 512 MiB come from the heap, and the heap top is
  // trimmed only above 1 GiB free.
  mallopt(M_MMAP_THRESHOLD, 512 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

}  // namespace radlabel
