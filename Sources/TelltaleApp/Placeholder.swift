enum PlaceholderTelltaleApp {}
