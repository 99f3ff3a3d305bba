"""HTML forms of the leads app, one module per audience: hq, portal, public."""
