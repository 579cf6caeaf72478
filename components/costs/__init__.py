"""Money: prices per model, the next request's estimate, calibration from bills, and the cost lines."""
