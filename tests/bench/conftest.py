"""Nothing in tests/bench/ is a test: the benchmark scripts run by hand."""

collect_ignore_glob = ["*"]
