"""Settings and start-up: the composition root, chat models from settings, `aifbot serve`, the
health/metrics server, logs, LangGraph Studio's entry."""
