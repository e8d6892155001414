"""Rasd (رصد): Arabic-native conflict-event extraction."""

__version__ = "0.1.0"
