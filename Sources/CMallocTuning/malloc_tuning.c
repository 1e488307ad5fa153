#include "malloc_tuning.h"
#if defined(__GLIBC__)
#include <malloc.h>
#endif

void telltale_tune_malloc(int trim_threshold, int top_pad, int mmap_threshold) {
#if defined(__GLIBC__)
    mallopt(M_TRIM_THRESHOLD, trim_threshold);
    mallopt(M_TOP_PAD, top_pad);
    mallopt(M_MMAP_THRESHOLD, mmap_threshold);
#endif
}
