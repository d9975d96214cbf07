"""Everything that imports xlwings: worksheet functions, ribbon actions, live writer."""
