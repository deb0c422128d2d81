"""Small pure building blocks: identifiers, errors, clock, ID numbers, names, dates."""
