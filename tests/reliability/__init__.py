"""Backup and restore, killed commands and a lost database under a running server (issue 9)."""
