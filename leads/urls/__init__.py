"""The leads app's routes, one module per audience, and the API's."""
