"""红黑榜: the county's red and black lists of units, drafted from criteria kept as data, approved and published."""
