"""What the bot shows, by feature: paper cards and lists (`papers`), likes, interests and
follows (`taste`), daily digests, reading lists in and out, the paper club, help and error
sentences, all built on `text`, which holds Discord's limits and makes outside text safe within
them.

Every function here is pure: the core's data types in, embeds and message text out.
"""
