"""Hand-drawn patrol zones, Qt-free: drawing state machines, validation, snapping, edits,
undoable commands, live and full measures, and zones made from hot spot results.

The GUI (gui/zones/) turns mouse and key events into calls on these objects and wraps the
commands in QUndoCommands; everything here is testable without a display.
"""
