[shoebox]
title="Shoebox (HTTP)"
desc="Shoebox photo server: web portal and Synology Photos apps"
port_forward="yes"
dst.ports="5080/tcp"
