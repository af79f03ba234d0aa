"""The shared platform layer both adapters use: the conversation service, the gateway (dedupe, channel
rules, feedback), the study and admin commands, platform-safe text."""
