# Build the Windows one-folder bundle and its installer.  UNTESTED: written and reviewed on
# Linux; see docs/install.md ("Windows").  Run in PowerShell from the checkout:
#
#     powershell -ExecutionPolicy Bypass -File packaging\windows\build-windows.ps1 `
#         -Python "C:\Python311\python.exe" -Fonts C:\path\to\fonts
#
# Needs: Python 3.11 or later (x64, from python.org), Inno Setup 6 (ISCC.exe on the PATH or in
# its default folder), and the network for PyPI.  -Fonts is the folder packaging/build-linux.sh
# prepares (build/linux/fonts: WenQuanYi Zen Hei, Noto Naskh Arabic, DejaVu Sans and LICENSES/),
# copied to this machine; without it the bundle uses Windows' own fonts (SimSun, Microsoft
# Uighur, Arial), which the font search order already knows.
param(
    [string]$Python = "py",
    [string]$Fonts = "",
    [string]$Out = "build\windows"
)
$ErrorActionPreference = "Stop"
$Root = Resolve-Path (Join-Path $PSScriptRoot "..\..")
Set-Location $Root
$Version = (Select-String -Path caseworker\__init__.py -Pattern '__version__ = "(.*)"').Matches[0].Groups[1].Value

function Retry([scriptblock]$Step) {
    for ($i = 1; $i -le 3; $i++) {
        & $Step
        if ($LASTEXITCODE -eq 0) { return }
        Write-Host "retrying ($i/3)"; Start-Sleep -Seconds 10
    }
    throw "failed 3 times"
}

New-Item -ItemType Directory -Force -Path $Out | Out-Null
$Venv = Join-Path $Out "venv"
if (-not (Test-Path "$Venv\Scripts\python.exe")) { & $Python -m venv $Venv }
$VPy = "$Venv\Scripts\python.exe"
Retry { & $VPy -m pip install -q --upgrade . "pyinstaller>=6.10" }

# Icons (.ico for the .exe, the shortcuts and the .cwb type)
& $VPy packaging\make_icons.py packaging\linux\caseworker.svg "$Out\icons"
$env:CASEWORKER_ICON = (Resolve-Path "$Out\icons\caseworker.ico").Path

if ($Fonts -ne "") {
    if (-not (Test-Path "$Fonts\wqy-zenhei.ttc") -or -not (Test-Path "$Fonts\LICENSES")) {
        throw "$Fonts must hold wqy-zenhei.ttc and LICENSES\ (from packaging/build-linux.sh)"
    }
    $env:CASEWORKER_FONTS = (Resolve-Path $Fonts).Path
} else {
    Remove-Item Env:\CASEWORKER_FONTS -ErrorAction SilentlyContinue
}

& $VPy -m PyInstaller --noconfirm --log-level WARN --distpath "$Out\dist" --workpath "$Out\work" packaging\caseworker.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }
& $VPy packaging\collect_licenses.py "$Out\dist\caseworker\licenses"
& "$Out\dist\caseworker\caseworker.exe" --version
if ($LASTEXITCODE -ne 0) { throw "the bundle does not start" }

$Iscc = (Get-Command ISCC.exe -ErrorAction SilentlyContinue).Source
if (-not $Iscc) { $Iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
& $Iscc "/DAppVersion=$Version" "/DSourceDir=$((Resolve-Path "$Out\dist\caseworker").Path)" `
    "/DIconFile=$env:CASEWORKER_ICON" "/O$((Resolve-Path $Out).Path)" packaging\windows\caseworker.iss
if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }
Write-Host "done: $Out\caseworker-$Version-setup.exe"
