"""The decision engine: a catalogue of cited rules turning nine answers into a recommendation."""
