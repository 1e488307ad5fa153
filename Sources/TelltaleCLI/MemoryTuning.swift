import CMallocTuning

/// glibc returns freed memory to the kernel eagerly (madvise per trim), which costs TLB
/// shoot-downs on every core under request load: the ingest profile showed ~8% of CPU there.
/// Keeping up to 64 MiB of freed heap trades a little RSS for that.
enum MemoryTuning {
    static func apply() {
        telltale_tune_malloc(64 << 20, 16 << 20, 4 << 20)
    }
}
