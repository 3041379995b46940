"""StageBot adapters: command line, console, Discord, mailbox; and the composition root."""
