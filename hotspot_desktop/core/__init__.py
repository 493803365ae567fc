"""Qt-free core: data model, I/O, CRS policy and analyses.

Nothing under this package may import Qt or pyqtgraph (enforced by tests/core/test_layering.py).
"""
