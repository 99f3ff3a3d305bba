"""Pages of the dealers app, one module per audience: hq, portal, public, files."""
