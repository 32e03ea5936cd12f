"""Platform-level helpers for webhooks that Trustroom receives (see `signatures`)."""
