"""Records: the breach register, the notice pack, retention and the status document."""
