enum PlaceholderTelltaleHTTP {}
