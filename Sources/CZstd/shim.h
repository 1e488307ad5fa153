// Debian's libzstd (package libzstd-dev); no listed Swift package does Zstandard.
#include <zstd.h>
