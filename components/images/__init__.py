"""Pictures in: decode untrusted bytes, orient, flatten, size to a token policy, encode once."""
