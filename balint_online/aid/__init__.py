"""Financial aid: programmes, applications for aid after registering, the review queue and awards."""
