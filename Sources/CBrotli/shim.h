// Debian's libbrotli decoder (package libbrotli-dev); no Swift package decodes brotli.
#include <brotli/decode.h>
