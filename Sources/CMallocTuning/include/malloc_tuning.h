#ifndef MALLOC_TUNING_H
#define MALLOC_TUNING_H
/// Keeps freed heap memory instead of returning it to the kernel on every trim (glibc only).
void telltale_tune_malloc(int trim_threshold, int top_pad, int mmap_threshold);
#endif
