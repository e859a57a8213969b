set terminal svg size 800,480 dynamic font 'sans,11'
set output 'echo.svg'
set title 'Echo, 64-byte request/response, 2 cores, loopback'
set xlabel 'concurrent connections'
set ylabel 'messages/s'
set logscale x
set key top left
set grid
set style data linespoints
plot 'echo.dat' using 1:2 title 'ss-raw', 'echo.dat' using 1:3 title 'ss-framed', 'echo.dat' using 1:4 title 'netty-epoll', 'echo.dat' using 1:5 title 'ss-poll', 'echo.dat' using 1:6 title 'netty-nio', 'echo.dat' using 1:7 title 'threads', 'echo.dat' using 1:8 title 'vthreads'
