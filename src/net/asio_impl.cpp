// The one translation unit that compiles Boost.Asio, Asio SSL and Beast (see
// BOOST_ASIO_SEPARATE_COMPILATION in cmake/options.cmake): every other file only includes
// declarations, which keeps the build fast on two cores.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
