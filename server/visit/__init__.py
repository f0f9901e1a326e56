"""Visit tasks: who must visit which unit, for what, by when."""
