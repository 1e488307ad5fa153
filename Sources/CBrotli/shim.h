// Debian's libbrotli (package libbrotli-dev); no Swift package encodes or decodes brotli.
// The server decodes request bodies; the CLI's self-test encodes one to send.
#include <brotli/decode.h>
#include <brotli/encode.h>
