"""2D pose detection on raw camera videos: ONNX models (RTMPose, RTMO), tracking, athlete picking, OpenPose JSON."""
