"""The leads app's pages, one module per audience: head office, the dealer portal and the public."""
