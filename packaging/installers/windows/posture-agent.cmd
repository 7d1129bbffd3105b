@"%~dp0Posture Agent.exe" --agent-cli %*
