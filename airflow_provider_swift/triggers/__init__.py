"""Triggers for the deferrable sensors and for event-driven scheduling."""
