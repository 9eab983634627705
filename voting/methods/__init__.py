"""Result methods of Foule's campaign formats: pure functions on plain data (no Django, no
database), each documenting its tie-break rule."""
