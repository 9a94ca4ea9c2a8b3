"""One append-only audit log for every object that matters: who did what, to which object, before and after."""
