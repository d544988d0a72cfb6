#include "model/heap_trimmer.h"

#include <malloc.h>

namespace radlabel {

HeapTrimmer::HeapTrimmer(const HeapTrimmerOptions& options)
    : task_(options.period, [threshold = options.free_bytes_threshold] {
        if (static_cast<int64_t>(mallinfo2().fordblks) > threshold) malloc_trim(0);
      }) {}

}  // namespace radlabel
