"""The recognition (认定) of persons with employment difficulty: the pure workflow."""
