"""Pages kept as built while nothing they show has changed: the society's data version and the page cache."""
