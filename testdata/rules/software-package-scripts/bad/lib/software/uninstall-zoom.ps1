Start-Process -Wait uninstall.exe /quiet
