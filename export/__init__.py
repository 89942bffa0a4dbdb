"""Fast embedding and search for users (ONNX export, ONNX Runtime, video index): a later issue."""
