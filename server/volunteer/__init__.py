"""消费义工 (volunteer consumers): mystery-shopper visits assigned by the county, evaluated on the phone."""
