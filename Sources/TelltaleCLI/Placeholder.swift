enum PlaceholderTelltaleCLI {}
