Start-Process -Wait zoom.exe /quiet
