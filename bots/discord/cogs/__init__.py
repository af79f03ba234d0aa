"""The bot's cogs: slash commands (`study`), the admin group (`admin`), message listeners
(`conversations`). Each only hands the event to `bots.discord.flows.Flows`."""
