"""Head-office pages of the orders app, by topic: orders (the order desk) and finance."""
