enum PlaceholderTelltaleAPI {}
