"""The job edge: arq worker settings, job functions and the cron schedule."""
